"""Expected answers of the course exercises, one module per lesson (lNN.py)."""
