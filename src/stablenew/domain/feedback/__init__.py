"""feedback: rating events, the ratings they add up to, and the model behind `recommend`."""
