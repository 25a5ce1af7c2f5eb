"""The plugin's hooks: the Jira Service Management platform, its settings, commands and demo."""
