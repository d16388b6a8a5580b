"""SMS as text: the GSM alphabet, splitting into segments, sending through Twilio, opt-outs."""
