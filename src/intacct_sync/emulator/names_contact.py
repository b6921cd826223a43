"""Word lists for contact records: streets, cities (with state and ZIP prefix), countries."""

STREETS = [
    "Market St",
    "Main St",
    "Oak Ave",
    "Pine St",
    "Cedar Ln",
    "Maple Dr",
    "Harbor Blvd",
    "Mission St",
    "Lake Shore Dr",
    "Commerce Way",
    "Industrial Pkwy",
    "Park Ave",
    "River Rd",
    "Elm St",
    "Sunset Blvd",
]
# (city, state, ZIP prefix, country, country code, phone area code)
CITIES = [
    ("Seattle", "WA", "981", "United States", "US", "206"),
    ("Portland", "OR", "972", "United States", "US", "503"),
    ("San Francisco", "CA", "941", "United States", "US", "415"),
    ("San Jose", "CA", "951", "United States", "US", "408"),
    ("Austin", "TX", "787", "United States", "US", "512"),
    ("Chicago", "IL", "606", "United States", "US", "312"),
    ("Boston", "MA", "021", "United States", "US", "617"),
    ("Denver", "CO", "802", "United States", "US", "303"),
    ("Atlanta", "GA", "303", "United States", "US", "404"),
    ("New York", "NY", "100", "United States", "US", "212"),
    ("Toronto", "ON", "M5V", "Canada", "CA", "416"),
    ("London", "", "EC1", "United Kingdom", "GB", "20"),
    ("Manchester", "", "M1", "United Kingdom", "GB", "161"),
]
PREFIXES = ["Mr.", "Ms.", "Dr.", None, None, None]
