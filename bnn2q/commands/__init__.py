"""The ``bnn2q`` subcommands, one module each: ``add(sub)`` registers its parser, ``main(args)``
runs it. ``bnn2q.cli`` builds the parser from them and turns errors into one line."""
