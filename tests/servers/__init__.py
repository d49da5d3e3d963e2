"""Real HTTP test servers that imitate external backends (AUTOMATIC1111 WebUI, ...) on 127.0.0.1."""
