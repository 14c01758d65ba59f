"""The Peak Press profile of the reference server: block specs, releases, deployments, revisions."""
