"""A simulated support floor driving the real product: services, SLA sweep, outbox.

`Config` sets the world, `simulate(config)` runs it (rolled back) and returns its
`Outcome`. Randomness comes from one seeded generator, so a seed gives the same figures
every time. `baseline` switches off what makes this product different: Support takes
new cases from triage by hand (no automatic routing), no proactive customer notice, no
one-voice throttle, departments write to the customer themselves, and owners close
without asking the customer to confirm.
"""

from .config import Config, ConfigError, Outcome, as_dict, load_settings
from .run import simulate

__all__ = ["Config", "ConfigError", "Outcome", "as_dict", "load_settings", "simulate"]
