"""The matrix of a directive, units × tasks, and what every view of a directive's progress
shares: the read model (model.py), its charts drawn on the server (charts.py), and the live page's
cached fragment and polling (live.py). The review, dashboard, reports and api blueprints read it;
nothing here writes."""
