"""Form parsing: strings in, command arguments or field errors out, one module per
area of the application; ``fields`` holds what they share."""
