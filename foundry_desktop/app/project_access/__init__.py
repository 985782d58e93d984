"""Who may open and change a project, and what is cleared away: the window's way of opening beside commands, the lock holder's name, leftovers and `foundry clean`."""
