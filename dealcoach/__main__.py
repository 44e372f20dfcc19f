from .cli.app import main

# Guarded: forkserver and spawn workers import this module and must not run the command again.
if __name__ == "__main__":
    main()
