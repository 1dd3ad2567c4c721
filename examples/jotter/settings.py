"""The test settings plus exactly the recipe's registry lines for Jotter (an EXAMPLE).

A real provider adds these lines to config/settings.py (and its credential
variables to .env.example); this module adds them to the test settings so the
example stays in its own directory. docs/adding-a-provider.md lists them.
"""

from config.settings_test import *  # noqa: F403

# 1. The provider (integrations.providers.PROVIDERS).
INTEGRATIONS_PROVIDERS = [*INTEGRATIONS_PROVIDERS, "examples.jotter.provider.PROVIDER"]  # noqa: F405
# 2. Its sandbox fake.
SANDBOX_FAKES = [*SANDBOX_FAKES, "examples.jotter.fake.JotterApi"]  # noqa: F405
# 3. The app holding its pages (installed; its urls.py included at the root).
HUB_APPS = [*HUB_APPS, "examples.jotter"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "examples.jotter"]  # noqa: F405 (config/settings.py: *HUB_APPS)
# 4. Its credential settings (config/settings.py reads them from the environment).
JOTTER_API_URL = "https://api.jotter.example/v1"
JOTTER_API_TOKEN = ""
