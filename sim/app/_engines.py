"""The engines that can run a grid, named once (``sim.app._fast_sweep`` has their rules).
Nothing is imported here, so that a command can list them without loading the engines."""

ENGINES = ("auto", "core", "fast")
#: What a user runs to get the sweep engine (numpy), from the checkout.
INSTALL = "pip install '.[fast]'"
