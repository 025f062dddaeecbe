from brochure.cli import run

run()
