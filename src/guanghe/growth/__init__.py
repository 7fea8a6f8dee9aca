"""Growth and health: growth-rights levels, the task center, originality protection, trust badges."""
