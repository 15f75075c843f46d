"""`python -m bench`: the performance harness (`make bench`); `python -m bench fairness
[OPTIONS]`: the fairness benchmark of the appraisal methods (`make fairness`)."""

import sys

if sys.argv[1:2] == ["fairness"]:
    from bench.fairness_cli import fairness_command

    fairness_command(sys.argv[2:], prog_name="python -m bench fairness")
else:
    from bench.run import main

    main()
