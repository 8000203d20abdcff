"""Front-ends: translate platform events to core calls and Replies back."""
