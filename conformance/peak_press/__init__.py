"""The Peak Press profile: the blocks API behind peak-sdk's ``peak.press.blocks`` client."""
