"""Text folding, the model cache and the bot/ project reader: what every model under api/ stands on."""
