"""simple-history's table for the demo's customers, kept in this app so that the demo app
itself (and its migrations) does not need the package."""

from __future__ import annotations

import simple_history

from project.demo.models import Customer

simple_history.register(Customer, app="project.history")
