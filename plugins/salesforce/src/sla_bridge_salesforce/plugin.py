"""The plugin's hooks: the Salesforce Service Cloud platform, its settings, commands and demo."""
