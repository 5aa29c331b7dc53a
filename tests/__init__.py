"""The test suite (a package, so that test folders never shadow the project's own packages)."""
