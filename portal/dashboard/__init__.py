"""Leadership's view of a directive: completion by kind of unit, items by deadline state, what is
overdue, the units furthest behind and the figures of every metric task, as tables and as charts
drawn on the server. Read-only; every figure comes from the matrix (`portal.matrix`)."""
