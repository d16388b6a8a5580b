"""The embedded conversation engine: reads bot/, understands, follows rules and forms, runs actions/."""
