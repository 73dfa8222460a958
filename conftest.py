"""Root conftest: registers the docs-as-tests harness for every test run."""

pytest_plugins = ["chainrule_site.pytest_plugin", "pytester"]
