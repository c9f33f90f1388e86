"""Pure domain model: stdlib only, no clock, no I/O. Functions that need the time take `now`."""
