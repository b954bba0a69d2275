"""The hand-written content: tutorials (their front matter, mentions, the learning path)."""
