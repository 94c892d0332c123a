"""`python -m interlock …`: the same command line as `interlock …`."""

from .cli import main

if __name__ == "__main__":
    main()
