/** The parts of Phabricator's Conduit results the importer reads (MANIPHEST.md §6). */

export interface SearchPage<T> {
  data: T[];
  cursor: { after: string | null };
}

export interface PhabUser {
  id: number;
  phid: string;
  fields: { username: string; realName?: string; roles?: string[]; dateCreated?: number };
}

export interface PhabProject {
  id: number;
  phid: string;
  fields: { name: string; slug?: string | null; milestone?: number | null; description?: string; color?: { key?: string }; status?: string; dateCreated?: number };
  attachments?: {
    members?: { members?: { phid?: string }[] };
    watchers?: { watchers?: { phid?: string }[] };
  };
}

/** A workboard column (project.column.search). `project` is `{id, phid, name}`. */
export interface PhabColumn {
  id: number;
  phid: string;
  fields: { name?: string; proxyPHID?: string | null; isHidden?: boolean; sequence?: number; project?: { phid?: string } | string | null };
}

export interface PhabTask {
  id: number;
  phid: string;
  fields: {
    name: string;
    description?: { raw?: string } | null;
    authorPHID: string | null;
    ownerPHID: string | null;
    status: { value: string; name?: string };
    priority: { value: number; name?: string };
    closerPHID?: string | null;
    dateClosed?: number | null;
    dateCreated: number;
    dateModified: number;
    policy?: { view?: string };
    /** A number, or null; null too while the source has points switched off. */
    points?: number | string | null;
  };
  attachments?: {
    subscribers?: { subscriberPHIDs?: string[] };
    projects?: { projectPHIDs?: string[] };
  };
}

export interface PhabComment {
  authorPHID?: string;
  dateCreated?: number;
  removed?: boolean;
  content?: { raw?: string };
}

export interface PhabTransaction {
  id: number;
  phid: string;
  type: string | null;
  authorPHID: string | null;
  dateCreated: number;
  groupID?: string | null;
  comments?: PhabComment[];
  fields?: Record<string, unknown>;
}

export interface PhabStatus {
  value: string;
  name: string;
  closed: boolean;
}
