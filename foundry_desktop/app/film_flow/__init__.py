"""One flow from a brief to a film: plan → mood board → scenes and shots → keyframes → (review) →
animate → music → render, each step idempotent and its progress kept in the project, shared by
`foundry film` and the window's "New film from a brief"."""
