"""The crypto market's venues (exchanges): reserves, trust, freezes and the signals holders read."""
