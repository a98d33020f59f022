package io.alphora.sandbox.storage.impl;

import io.alphora.sandbox.storage.StorageObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Builds a listing with the one meaning of {@link io.alphora.sandbox.storage.Storage#list}: folds
 * keys below the next '/' after the prefix (when not recursive), keeps one entry per key, sorts by
 * key, then cuts at {@code maxKeys}.
 */
public final class Listings {
  private final String prefix;
  private final boolean recursive;
  private final TreeMap<String, StorageObject> entries = new TreeMap<>(Keys.ORDER);

  public Listings(String prefix, boolean recursive) {
    this.prefix = prefix;
    this.recursive = recursive;
  }

  /** Adds an object whose key starts with the prefix (others are ignored). */
  public void add(StorageObject o) {
    if (!o.key().startsWith(prefix)) {
      return;
    }
    int slash = o.key().indexOf('/', prefix.length());
    if (recursive || slash < 0) {
      entries.put(o.key(), o);
    } else {
      addDirectory(o.key().substring(0, slash + 1));
    }
  }

  /** Adds a folded {@code dir/} entry (non-recursive listings). */
  public void addDirectory(String dirKey) {
    entries.putIfAbsent(dirKey, StorageObject.directory(dirKey));
  }

  public int count() { return entries.size(); }

  /** The first {@code maxKeys} entries in key order. */
  public List<StorageObject> result(int maxKeys) {
    List<StorageObject> out = new ArrayList<>(Math.min(maxKeys, entries.size()));
    for (StorageObject o : entries.values()) {
      if (out.size() >= maxKeys) {
        break;
      }
      out.add(o);
    }
    return out;
  }

  public static Comparator<StorageObject> byKey() { return Comparator.comparing(StorageObject::key, Keys.ORDER); }
}
