from brochure.cli import main

raise SystemExit(main())
