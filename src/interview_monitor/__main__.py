from interview_monitor.cli import main

raise SystemExit(main())
