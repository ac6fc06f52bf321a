"""What several apps share: text rules, URL converters, request hygiene."""
