"""Listening: replies, mentions and what each announced post achieved, brought back
to staff (`make listen`, `make report`); optionally, a post's public replies shown
under it on the site."""
