"""Contract servers: local stand-ins for the social networks' APIs, written from their
published documentation (each rule cites its page), run on 127.0.0.1 by the tests."""
