"""The screens: home (decks), review, help, summary."""
