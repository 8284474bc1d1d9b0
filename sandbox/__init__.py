"""The sandbox cloud: a stand-in for AWS made of moto server and a Python Terraform provider.

This package is NOT product code and NOT HashiCorp's provider. See sandbox/README.md.
"""
