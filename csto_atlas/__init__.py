"""CSTO Atlas: the sourced history of the Collective Security Treaty Organization on a map."""
