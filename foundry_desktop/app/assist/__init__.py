"""The creative assist: a language model for plans and mood boards, speech to captions."""
