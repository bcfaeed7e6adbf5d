print("gantop")
