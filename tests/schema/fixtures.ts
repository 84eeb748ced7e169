import { parseAllDocuments } from 'yaml';

/** Parses a multi-document YAML string with the yaml library's defaults (core schema), as catalog/ does. */
export function yamlDocs(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
    return doc.toJS();
  });
}

/** A cmdb/v1 document of `kind` with `spec`. */
export const cmdb = (kind: string, spec: unknown, metadata: Record<string, unknown> = { name: 'example' }) => ({
  apiVersion: 'cmdb/v1',
  kind,
  metadata,
  spec,
});

/** A Backstage-style catalog-info.yaml, modelled on the examples of Backstage's descriptor-format documentation. */
export const BACKSTAGE_CATALOG_INFO = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-web
  description: The place to be, for great artists
  labels:
    example.com/custom: custom_label_value
  annotations:
    example.com/service-discovery: artistweb
    circleci.com/project-slug: github/example-org/artist-website
    backstage.io/techdocs-ref: dir:.
  tags:
    - java
    - website
  links:
    - url: https://admin.example-org.com
      title: Admin Dashboard
      icon: dashboard
      type: admin-dashboard
spec:
  type: website
  lifecycle: production
  owner: artist-relations-team
  system: artist-engagement-portal
  providesApis:
    - artist-api
  consumesApis:
    - api:default/wayback-search
  dependsOn:
    - resource:default/artists-db
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: artist-api
  description: Retrieve artist details
spec:
  type: openapi
  lifecycle: production
  owner: artist-relations-team
  system: artist-engagement-portal
  definition:
    $text: ./openapi/artist-api.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: wayback-search
spec:
  type: graphql
  lifecycle: experimental
  owner: team-c
  definition: |
    type Query {
      search(url: String!): [Snapshot]
    }
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: artists-db
  description: Stores artist details
spec:
  type: database
  owner: artist-relations-team
  system: artist-engagement-portal
  dependencyOf:
    - component:artist-web
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: artist-engagement-portal
  description: Handy tools to keep artists in the loop
spec:
  owner: artist-relations-team
  domain: artists
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: artists
  description: Everything about artists
spec:
  owner: artist-relations-team
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: artist-relations-team
  description: The artist relations team
spec:
  type: team
  profile:
    displayName: Artist Relations
    email: artist-relations@example.com
    picture: https://example.com/groups/artist-relations.jpeg
  parent: infrastructure
  children: []
  members: [jdoe]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jdoe
spec:
  profile:
    displayName: Jenny Doe
    email: jenny-doe@example.com
    picture: https://example.com/staff/jenny-with-party-hat.jpeg
  memberOf: [artist-relations-team, employees]
`;
