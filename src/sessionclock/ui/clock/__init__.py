"""What the clock itself is made of: the controller that turns (store, clock, settings) into state,
the second ticker, and the countdown face that paints it.
"""
