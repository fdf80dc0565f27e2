"""Not the product: the benchmark, the load test and the simulation.

They drive the product from outside (`manage.py bench`, `manage.py simulate`); the product
never imports this package. What they need beyond the product (time-machine, locust) comes
with the `tools` extras and is imported only where it is used (see `extras.py`).
"""
