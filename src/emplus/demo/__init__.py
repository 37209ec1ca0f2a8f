"""The demo partnership: fictitious organisations, people and activities for `emplus demo`.

It sits above every app (it fills them all) and no app imports it.
"""
