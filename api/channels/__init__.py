"""How messages arrive and leave: web chat and SMS, in front of the engine."""
