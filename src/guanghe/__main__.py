"""``python -m guanghe`` runs the command line."""

from guanghe.cli import main

if __name__ == "__main__":
    main()
