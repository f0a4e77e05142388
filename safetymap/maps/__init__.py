"""Map builders: folium maps as pure functions of analysed data.

Importing the package makes map elements keep their rendered markup as text
(:mod:`safetymap.maps.literal`): text from an input never runs as a template.
"""

from safetymap.maps.literal import install

install()
