"""How small a pool of anonymous answers may be before its texts are withheld."""

#: The smallest pool whose texts a group may read, unless a workspace sets its own k.
DEFAULT_ANONYMITY_K = 3
