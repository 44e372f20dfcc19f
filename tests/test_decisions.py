"""Honest decisions and texts that fit the deal: each rule of the format's newer semantics."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dealcoach.errors import InputError
from dealcoach.playbook import loader, yamlfile
from dealcoach.playbook import model as pbmod
from dealcoach.review.document import make_review
from dealcoach.review.render import render_json, render_markdown
from dealcoach.review.scoring import score
from dealcoach.review.selftest import run_examples

DEAL = """
id: deal
version: 1
title: A deal
summary: Choose between going around the end user and building a case.
sources: ["Framework-based: test"]
split_margin: 1
strategies:
  - id: go-around
    title: Go around the end user
    why:
      - The end user will not move and others care.
      - {when: "stake == 'major'", text: "With the renewal at stake, make sure their boss owns the move."}
    requires:
      - {when: "leverage in ['executive', 'peers']", premise: "someone with influence will move the end user"}
    next_steps:
      - Ask {{ contact or 'your contact' }} who else cares.
      - {when: "route == 'partner'", text: "Agree with the partner who speaks first."}
    risks:
      - {when: "route != 'partner'", text: "Going around a direct contact costs the relationship."}
  - id: build-case
    title: Build the case with the end user
    why: The end user can be won with evidence.
questions:
  - id: resistance
    type: choice
    prompt: How firm is the end user?
    verify: true
    unknown: allowed
    gap: Ask the end user directly what would change their mind.
    choices:
      - {value: firm, label: Firm, points: {go-around: 3}, says: The end user will not move.}
      - {value: soft, label: Soft, points: {build-case: 3}, says: The end user could be persuaded.}
  - id: leverage
    type: choice
    prompt: Who could move the end user?
    unknown: allowed
    gap: Find out whose word the end user listens to.
    choices:
      - {value: executive, label: An executive}
      - {value: peers, label: Their peers}
      - {value: nobody, label: Nobody}
  - id: stake
    type: choice
    prompt: What is at stake on the account?
    unknown: allowed
    gap: Check the account's renewal date and value.
    choices:
      - {value: major, label: Major}
      - {value: little, label: Little}
  - id: route
    type: choice
    prompt: How is it sold?
    unknown: allowed
    gap: Ask who signs the order.
    choices:
      - {value: direct, label: Direct}
      - {value: partner, label: Through a partner}
  - id: evidence_a
    type: yesno
    prompt: Did the buyer say so?
    unknown: allowed
    gap: Ask the buyer.
  - id: evidence_b
    type: yesno
    prompt: Did the numbers show it?
    unknown: allowed
    gap: Pull the numbers.
  - id: contact
    type: text
    prompt: Your contact's name?
rules:
  - id: tilt
    when: route == 'partner'
    points: {build-case: 3}
    says: A partner is in the middle.
  - id: cause
    when: resistance == 'firm'
    evidence:
      min: 2
      of: [evidence_a, evidence_b]
      missing: Get a debrief from someone neutral.
    says: The end user's firmness is the cause.
    points: {go-around: 1}
    flag: {severity: medium, text: The cause is the end user.}
  - id: against-go-around
    when: stake == 'little' and route == 'partner'
    flag: {severity: high, text: Going around the partner's contact risks the partner., against: [go-around]}
"""


def load(text: str = DEAL) -> pbmod.Playbook:
    return loader.loads(textwrap.dedent(text), Path("deal.yaml"))


@pytest.fixture
def pb() -> pbmod.Playbook:
    return load()


def base(**answers: Any) -> dict[str, Any]:
    found = {"resistance": "firm", "leverage": "executive", "stake": "major", "route": "direct"}
    found.update(answers)
    return found


# -- texts ------------------------------------------------------------------------------------


def test_items_with_a_false_or_unknown_when_are_left_out_and_texts_use_answers(pb: pbmod.Playbook) -> None:
    data = json.loads(render_json(make_review(pb, "Acme", base(contact="Dana"))))
    assert data["recommendation"]["why"] == (
        "The end user will not move and others care. With the renewal at stake, make sure their boss owns the move."
    )
    assert data["recommendation"]["next_steps"] == ["Ask Dana who else cares."]
    assert data["recommendation"]["risks"] == ["Going around a direct contact costs the relationship."]
    unknown = json.loads(render_json(make_review(pb, "Acme", base(stake=None, route=None))))
    assert unknown["recommendation"]["why"] == "The end user will not move and others care."
    # `route != 'partner'` is false when the route is unknown: the risk is not asserted.
    assert unknown["recommendation"]["risks"] == []
    assert unknown["recommendation"]["next_steps"] == ["Ask your contact who else cares."]


def test_an_item_naming_a_missing_question_is_reported_with_its_position() -> None:
    text = DEAL.replace("when: \"route == 'partner'\", text", "when: \"rout == 'partner'\", text")
    with pytest.raises(InputError) as caught:
        load(text)
    (problem,) = caught.value.problems
    assert "names 'rout'" in problem.message and "did you mean 'route'" in problem.message
    assert problem.line == 18


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("Call back in 3 days.", "3"),
        ("Offer 5% off.", "5"),
        ("Wait six months.", "six months"),
        ("Give it two weeks.", "two weeks"),
        ("It costs a hundred dollars.", "hundred dollars"),
        ("Book a one-hour slot.", "one-hour"),
    ],
)
def test_fixed_quantities_are_found(text: str, quantity: str) -> None:
    assert loader.fixed_quantity(text) == quantity


@pytest.mark.parametrize(
    "text",
    [
        "Call back within {{ hard_date_weeks }} weeks.",
        "About {{ share }}% of the budget.",
        "Give it a few weeks.",
        "One person decides.",
        "{% if x %}Soon{% endif %}.",
    ],
)
def test_quantities_from_answers_and_vague_ones_are_fine(text: str) -> None:
    assert loader.fixed_quantity(text) is None


def test_validate_reports_fixed_quantities_in_texts_but_not_in_prompts(tmp_path: Path) -> None:
    from dealcoach.playbook.checking import problems_in

    text = DEAL.replace("Ask {{ contact or 'your contact' }} who else cares.", "Ask for 20 minutes.")
    text = text.replace("prompt: How firm is the end user?", "prompt: How firm is the end user after 3 calls?")
    text = text.replace("says: A partner is in the middle.", "says: A partner takes 10%.")
    path = tmp_path / "deal.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    loader.load(path)  # still loads: a review can run; validation is where it is reported
    found = [str(p) for p in problems_in(path)]
    assert found == [
        f"{path}:17:9: the text states '2', which no answer gave; write it without the number "
        "('a few weeks', 'soon') or take it from an answer ({{ question_id }})",
        f"{path}:76:11: the text states '1', which no answer gave; write it without the number "
        "('a few weeks', 'soon') or take it from an answer ({{ question_id }})",
    ]


def test_validate_exits_2_on_a_fixed_quantity(dealcoach: Any, work: Path) -> None:
    (work / "deal.yaml").write_text(
        textwrap.dedent(DEAL).replace("Agree with the partner who speaks first.", "Give the partner 2 weeks."),
        encoding="utf-8",
    )
    ran = dealcoach("playbooks", "validate", "deal.yaml")
    assert ran.code == 2
    assert ran.out.startswith("deal.yaml:18:44:") and "'2 weeks'" not in ran.out and "'2'" in ran.out


# -- split decisions --------------------------------------------------------------------------


def test_a_tie_is_a_split_named_as_such_with_the_question_that_separates_it(pb: pbmod.Playbook) -> None:
    answers = base(route="partner", stake="major")  # go-around 3, build-case 3
    result = score(pb, answers)
    assert result.split == ["go-around", "build-case"] and result.confidence == "low"
    assert result.separating is not None and result.separating.question in ("resistance", "route")
    review = make_review(pb, "Acme", answers)
    text = render_markdown(review)
    assert "## Split decision: Go around the end user or Build the case with the end user" in text
    assert "## Recommended strategy" not in text and "## Next steps" not in text
    assert "**The question that separates them:**" in text
    # What would change it, for a split, is what would settle it: a clear winner, whichever it is.
    assert "## What would settle it" in text and "it would be settled for" in text
    assert all(not score(pb, {**answers, f.question: _value(pb, f)}).split for f in result.flips)
    data = json.loads(render_json(review))
    assert data["split"] == ["go-around", "build-case"]
    assert data["front_matter"]["split"] == ["go-around", "build-case"]


def _value(pb: pbmod.Playbook, flip: Any) -> Any:
    question = pb.question(flip.question)
    assert question is not None
    return next(o.value for o in question.options if o.label == flip.instead)


def test_a_clear_winner_has_an_empty_split(pb: pbmod.Playbook) -> None:
    review = make_review(pb, "Acme", base())
    assert review.result.split == []
    assert json.loads(render_json(review))["split"] == []
    assert "split" not in json.loads(render_json(review))["front_matter"]


def test_the_split_margin_is_per_playbook() -> None:
    answers = base(route="partner", resistance="firm", evidence_a=True, evidence_b=True)  # 4 to 3
    assert load().split_margin == 1 and score(load(), answers).split == ["go-around", "build-case"]
    strict = load(DEAL.replace("split_margin: 1", "split_margin: 0"))
    assert score(strict, answers).split == []
    default = load(DEAL.replace("split_margin: 1\n", ""))
    assert default.split_margin == 1


# -- premises ---------------------------------------------------------------------------------


def test_a_false_premise_rules_the_strategy_out_and_says_which(pb: pbmod.Playbook) -> None:
    result = score(pb, base(leverage="nobody"))
    assert result.recommended == "build-case"
    assert result.vetoed["go-around"] == [
        "it needs someone with influence will move the end user, and the answers say otherwise"
    ]


def test_an_unknown_premise_makes_the_advice_conditional(pb: pbmod.Playbook) -> None:
    answers = {**base(leverage=None), "resistance_source": "firsthand"}
    result = score(pb, answers)
    assert result.recommended == "go-around" and result.conditional
    assert result.unknown_premises == ["someone with influence will move the end user"]
    assert result.confidence in ("medium", "low")
    assert result.find_out_first[0].question == "leverage"
    text = render_markdown(make_review(pb, "Acme", answers))
    assert "## If someone with influence will move the end user: Go around the end user" in text
    assert text.index("## Find out first") < text.index("## If someone")


def test_a_known_true_premise_is_recommended_outright(pb: pbmod.Playbook) -> None:
    result = score(pb, {**base(), "resistance_source": "firsthand"})
    assert not result.conditional and result.recommended == "go-around"


# -- find out first ---------------------------------------------------------------------------


def test_find_out_first_lists_at_most_three_unknowns_that_move_the_advice(pb: pbmod.Playbook) -> None:
    result = score(pb, {"resistance": None, "leverage": None, "stake": None, "route": None})
    assert result.confidence == "low"
    ids = [g.question for g in result.find_out_first]
    assert 1 <= len(ids) <= 3
    assert "resistance" in ids and "stake" not in ids  # the stake moves no points
    text = render_markdown(make_review(pb, "Acme", {"resistance": None}))
    assert text.index("## Find out first") < text.index("## Red flags")


def test_a_confident_review_has_no_find_out_first(pb: pbmod.Playbook) -> None:
    answers = {**base(), "resistance_source": "firsthand", "evidence_a": True, "evidence_b": True}
    result = score(pb, answers)
    assert result.confidence != "low" and result.find_out_first == []


# -- evidence ---------------------------------------------------------------------------------


def test_a_conclusion_short_of_evidence_is_not_yet_established_and_does_nothing(pb: pbmod.Playbook) -> None:
    result = score(pb, base(evidence_a=True, evidence_b=None))
    (item,) = result.unestablished
    assert (item.rule, item.found, item.needed) == ("cause", 1, 2)
    assert "cause" not in {f.rule for f in result.flags}
    assert "cause" not in {c.source for c in result.contributions}
    text = render_markdown(make_review(pb, "Acme", base(evidence_a=True)))
    assert "## Not yet established" in text
    assert (
        "- The end user's firmness is the cause. Not yet established: 1 of the 2 pieces of evidence it needs. "
        "Get a debrief from someone neutral." in text
    )


def test_with_enough_evidence_the_conclusion_stands(pb: pbmod.Playbook) -> None:
    result = score(pb, base(evidence_a=True, evidence_b=True))
    assert result.unestablished == []
    assert "cause" in {f.rule for f in result.flags} and result.scores["go-around"] == 4


def test_evidence_asking_for_more_than_it_lists_is_reported() -> None:
    with pytest.raises(InputError) as caught:
        load(DEAL.replace("min: 2", "min: 3"))
    assert [p.message for p in caught.value.problems] == ["'min' (3) is more than the 2 piece(s) of evidence listed"]


# -- against it, flags against ----------------------------------------------------------------


def test_the_recommended_strategys_points_against_it_are_shown(pb: pbmod.Playbook) -> None:
    answers = base(route="partner", resistance="firm", evidence_a=True, evidence_b=True, leverage="peers")
    answers["stake"] = "major"
    review = make_review(pb, "Acme", {**answers, "resistance_source": "firsthand"})
    data = json.loads(render_json(review))
    assert data["recommendation"]["id"] == "go-around"
    # build-case's points came from the partner rule; go-around has none against it here
    assert data["recommendation"]["against"] == []
    flipped = load(
        DEAL.replace("points: {build-case: 3}\n    says: A partner", "points: {go-around: -1}\n    says: A partner")
    )
    data = json.loads(render_json(make_review(flipped, "Acme", answers)))
    assert data["recommendation"]["against"] == ["A partner is in the middle."]
    assert "### Against it\n\n- A partner is in the middle." in render_markdown(make_review(flipped, "Acme", answers))


def test_a_flag_against_a_strategy_vetoes_it(pb: pbmod.Playbook) -> None:
    result = score(pb, base(stake="little", route="partner", resistance="firm", evidence_a=True, evidence_b=True))
    assert "go-around" in result.vetoed and result.recommended == "build-case"
    assert "against-go-around" in {f.rule for f in result.flags}


def test_a_flag_against_an_unknown_strategy_is_reported() -> None:
    with pytest.raises(InputError) as caught:
        load(DEAL.replace("against: [go-around]", "against: [go-aroud]"))
    assert [p.message for p in caught.value.problems] == [
        "argues against 'go-aroud', which is not a strategy here (did you mean 'go-around'?)"
    ]


# -- how the rep knows ------------------------------------------------------------------------


def test_verify_adds_a_source_question_right_after_asked_only_when_answered(pb: pbmod.Playbook) -> None:
    ids = [q.id for q in pb.questions]
    assert ids[:2] == ["resistance", "resistance_source"]
    source = pb.question("resistance_source")
    assert source is not None and [o.value for o in source.options] == ["firsthand", "secondhand", "assumed"]
    assert "resistance_source" in [q.id for q in pb.asked({"resistance": "firm"})]
    assert "resistance_source" not in [q.id for q in pb.asked({"resistance": None})]
    # Left unanswered, it says what to check, never a bare "Find out: How do you know?".
    gaps = {g.question: g.find_out for g in score(pb, base(resistance="firm")).gaps}
    assert gaps["resistance_source"].startswith(
        f"Check how you know the answer to '{pb.questions[0].prompt.rstrip('?')}'"
    )


def test_a_deciding_answer_held_second_hand_opens_the_review_with_check_first(pb: pbmod.Playbook) -> None:
    answers = {**base(evidence_a=True, evidence_b=True), "resistance_source": "secondhand"}
    result = score(pb, answers)
    assert [(c.question, c.source) for c in result.check_first] == [("resistance", "secondhand")]
    assert result.confidence in ("medium", "low")
    text = render_markdown(make_review(pb, "Acme", answers))
    assert (
        "## Check first\n\n- The end user will not move: you have this second-hand; check it before acting on it."
        in text
    )
    assert text.index("## Check first") < text.index("## Recommended strategy")
    firsthand = score(pb, {**answers, "resistance_source": "firsthand"})
    assert firsthand.check_first == [] and firsthand.confidence == "high"


def test_expressions_may_use_the_source_answer() -> None:
    text = DEAL.replace("when: route == 'partner'\n", "when: resistance_source == 'assumed'\n")
    pb = load(text)
    assert score(pb, {**base(), "resistance_source": "assumed"}).scores["build-case"] == 3


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("type: yesno\n    prompt: Did the buyer", "type: text\n    verify: true\n    prompt: Did the buyer"),
            "'verify' applies to choice, multi, yesno, number, scale questions, not to a text",
        ),
        (
            (
                "  - id: contact\n",
                "  - id: resistance_source\n    type: text\n    prompt: Where from?\n  - id: contact\n",
            ),
            "'verify' adds the question 'resistance_source', which this playbook already has",
        ),
    ],
)
def test_verify_mistakes_are_reported(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(InputError) as caught:
        load(DEAL.replace(*edit))
    assert message in [p.message for p in caught.value.problems]


# -- examples ---------------------------------------------------------------------------------


def test_examples_can_expect_split_conditional_and_unestablished() -> None:
    examples = """
examples:
  - name: tie
    answers: {resistance: firm, leverage: executive, stake: major, route: partner}
    expect: {split: [build-case, go-around]}
  - name: premise unknown
    answers: {resistance: firm, leverage: null, stake: major, route: direct}
    expect: {strategy: go-around, conditional: true}
  - name: one piece of evidence
    answers: {resistance: firm, leverage: executive, stake: major, route: direct, evidence_a: true}
    expect: {unestablished: [cause], split: [], conditional: false}
  - name: wrong on purpose
    answers: {resistance: firm, leverage: executive, stake: major, route: direct, evidence_a: true, evidence_b: true}
    expect: {split: [go-around, build-case], conditional: true, unestablished: [cause]}
    # (evidence_a and evidence_b are both true below, so the cause is established)
"""
    pb = load(DEAL + examples)
    outcomes = run_examples(pb)
    assert [o.passed for o in outcomes] == [True, True, True, False]
    assert [m.split(":")[0] for m in outcomes[3].mismatches] == ["split", "conditional", "unestablished"]


def test_expect_names_unknown_strategies_and_rules() -> None:
    examples = """
examples:
  - name: typo
    answers: {resistance: firm}
    expect: {split: [go-aroud], unestablished: [caus]}
"""
    with pytest.raises(InputError) as caught:
        load(DEAL + examples)
    messages = [p.message for p in caught.value.problems]
    assert "'go-aroud' in expect.split is not known here (did you mean 'go-around'?)" in messages
    assert "'caus' in expect.unestablished is not known here (did you mean 'cause'?)" in messages


def test_the_quantity_check_covers_every_text_key() -> None:
    text = """
strategies:
  - id: a
    title: A
    why: [In 2 weeks., {when: x, text: "5%"}]
    risks: [3 calls]
    next_steps: [ok]
    talk_track: [six months]
rules:
  - {id: r, when: x, says: 4 times, flag: {severity: low, text: 10 days}}
questions:
  - {id: x, type: yesno, prompt: 9 calls?, gap: in 7 days, if_yes: {says: 8 times}}
  - {id: y, type: choice, prompt: y, choices: [{value: a, label: 1 a, says: 2 b}]}
"""
    located = yamlfile.parse(text, Path("t.yaml"))
    where = sorted((p.line, p.column) for p in loader.lint_quantities(located))
    assert len(where) == 9  # why twice, risks, talk_track, says, flag text, gap, if_yes says, choice says


def test_the_schema_accepts_every_new_key_and_rejects_a_bad_item() -> None:
    import yaml

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parent.parent / "schema" / "playbook.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    data = yaml.safe_load(DEAL)
    assert list(validator.iter_errors(data)) == []
    data["strategies"][0]["next_steps"].append({"text": "No condition given."})
    assert list(validator.iter_errors(data)) != []


def test_a_review_with_every_new_section_is_valid_markdown(pb: pbmod.Playbook) -> None:
    from .test_properties import _lint

    answers = {**base(leverage=None, evidence_a=True), "resistance_source": "assumed"}
    text = render_markdown(make_review(pb, "Acme", answers))
    for heading in ("## Check first", "## Find out first", "## If someone", "## Not yet established"):
        assert heading in text
    assert _lint(text) == []
    split = render_markdown(make_review(pb, "Acme", base(route="partner")))
    assert "## Split decision" in split and _lint(split) == []


def test_each_side_of_a_split_says_the_premise_it_rests_on(pb: pbmod.Playbook) -> None:
    answers = base(route="partner", stake="major", leverage=None)  # a tie, and going around needs leverage
    result = score(pb, answers)
    assert result.split == ["go-around", "build-case"]
    assert result.premises_by_strategy == {"go-around": ["someone with influence will move the end user"]}
    text = render_markdown(make_review(pb, "Acme", answers))
    assert "### If someone with influence will move the end user: Go around the end user" in text
    assert "### Build the case with the end user" in text


def test_a_name_typed_by_the_rep_is_shown_escaped_in_texts_and_a_blank_one_falls_back(pb: pbmod.Playbook) -> None:
    review = make_review(pb, "Acme", base(contact="__Dana__  *O'Neil*"))
    text = render_markdown(review)
    assert "1. Ask \\_\\_Dana\\_\\_ \\*O'Neil\\* who else cares." in text
    blank = render_markdown(make_review(pb, "Acme", base(contact="   ")))
    assert "1. Ask your contact who else cares." in blank
