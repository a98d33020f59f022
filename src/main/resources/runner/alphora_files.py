# File operations on a sandbox's workspace from inside its container (docker.workspace: volume),
# where the Docker archive API cannot go: stat, list, delete, copy, move, usage, and the path checks
# before reads and writes. Run as the sandbox's user by `docker exec` (or a one-off container on the
# same volume while the sandbox is stopped): python3 -I -c <this> ROOT OP ARGS...
# Paths arrive normalised by the service (relative, no '..'); every component is opened with
# O_NOFOLLOW relative to its parent, so a link planted by sandbox code is refused, never followed.
# Prints one JSON object: {"ok": result} or {"error": code, "path": rel, "component": c, "message": m}.
import errno
import fnmatch
import json
import os
import stat
import sys

ROOT = sys.argv[1]
MAX_WALK = 200000


class Fail(Exception):
    def __init__(self, code, rel, component=None, message=None):
        Exception.__init__(self, code)
        self.out = {"error": code, "path": rel, "component": component, "message": message}


def names(rel):
    return [n for n in rel.split("/") if n]


def lstat(dfd, name):
    try:
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def open_dir(parts, rel, create=False):
    """The directory at parts (relative to ROOT), each component checked; a new fd."""
    fd = os.open(ROOT, os.O_RDONLY | os.O_DIRECTORY)
    for i, n in enumerate(parts):
        st = lstat(fd, n)
        if st is None:
            if not create:
                os.close(fd)
                raise Fail("file_not_found", rel)
            os.mkdir(n, 0o755, dir_fd=fd)
            st = lstat(fd, n)
        comp = "/".join(parts[:i + 1])
        if stat.S_ISLNK(st.st_mode):
            os.close(fd)
            raise Fail("path_traversal", rel, comp)
        if not stat.S_ISDIR(st.st_mode):
            os.close(fd)
            raise Fail("not_a_directory", rel, comp)
        nfd = os.open(n, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        os.close(fd)
        fd = nfd
    return fd


def entry(rel, st):
    return {"path": rel, "size": st.st_size, "dir": stat.S_ISDIR(st.st_mode), "link": stat.S_ISLNK(st.st_mode),
            "mtime": st.st_mtime}


def parent_and_stat(rel, create=False):
    parts = names(rel)
    fd = open_dir(parts[:-1], rel, create)
    return fd, parts[-1], lstat(fd, parts[-1])


def op_stat(rel):
    if not names(rel):
        return entry("", os.stat(ROOT))
    fd, name, st = parent_and_stat(rel)
    os.close(fd)
    if st is None:
        raise Fail("file_not_found", rel)
    return entry(rel, st)


def op_exists(rel):
    try:
        op_stat(rel)
        return True
    except Fail as f:
        if f.out["error"] in ("file_not_found", "not_a_directory"):
            return False
        raise


def op_readable(rel):
    """Before an archive read: a regular file reached without links."""
    if not names(rel):
        raise Fail("is_a_directory", rel)
    fd, name, st = parent_and_stat(rel)
    os.close(fd)
    if st is None:
        raise Fail("file_not_found", rel)
    if stat.S_ISLNK(st.st_mode):
        raise Fail("path_traversal", rel, rel)
    if stat.S_ISDIR(st.st_mode):
        raise Fail("is_a_directory", rel)
    if not stat.S_ISREG(st.st_mode):
        raise Fail("not_regular", rel)
    return entry(rel, st)


def op_writable(rel):
    """Before an archive write: parents made (no links), the target is absent or a regular file."""
    if not names(rel):
        raise Fail("is_a_directory", rel)
    fd, name, st = parent_and_stat(rel, create=True)
    os.close(fd)
    if st is None:
        return {"exists": False}
    if stat.S_ISLNK(st.st_mode):
        raise Fail("path_traversal", rel, rel)
    if stat.S_ISDIR(st.st_mode):
        raise Fail("is_a_directory", rel)
    return {"exists": True, "mode": stat.S_IMODE(st.st_mode)}


def order(e):
    return (not e[1], e[0])


def op_list(rel, recursive, pattern, limit):
    recursive, limit = recursive == "1", int(limit)
    fd = open_dir(names(rel), rel)
    out, state = [], {"truncated": False, "seen": 0}

    def walk(dfd, prefix, depth):
        with os.scandir(dfd) as it:
            items = sorted(((e.name, e.is_dir(follow_symlinks=False)) for e in it), key=order)
        for name, is_dir in items:
            state["seen"] += 1
            if len(out) >= limit or state["seen"] > MAX_WALK:
                state["truncated"] = True
                return
            path = prefix + "/" + name if prefix else name
            st = lstat(dfd, name)
            if st is None:
                continue
            if not pattern or fnmatch.fnmatchcase(name, pattern):
                out.append(entry(path, st))
            if recursive and is_dir:
                if depth >= 128:
                    state["truncated"] = True
                    continue
                try:
                    cfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
                except OSError:
                    continue
                try:
                    walk(cfd, path, depth + 1)
                finally:
                    os.close(cfd)

    try:
        walk(fd, names(rel) and "/".join(names(rel)) or "", 1)
    finally:
        os.close(fd)
    return {"files": out, "truncated": state["truncated"]}


def remove_tree(dfd, name):
    st = lstat(dfd, name)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(name, dir_fd=dfd)
        return
    cfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
    try:
        for child in os.listdir(cfd):
            remove_tree(cfd, child)
    finally:
        os.close(cfd)
    os.rmdir(name, dir_fd=dfd)


def op_delete(rel):
    if not names(rel):
        raise Fail("invalid_request", rel, None, "refusing to delete the workspace root")
    try:
        fd, name, st = parent_and_stat(rel)
    except Fail as f:
        if f.out["error"] == "file_not_found":
            return False
        raise
    try:
        if st is None:
            return False
        remove_tree(fd, name)
        return True
    finally:
        os.close(fd)


def op_delete_all(*rels):
    return sum(1 for rel in rels if op_delete(rel))


def destination(src_name, dst):
    """(parent fd, name, rel) where src lands: into dst when dst is an existing directory (cp/mv)."""
    fd, name, st = parent_and_stat(dst, create=True)
    if st is not None and stat.S_ISLNK(st.st_mode):
        os.close(fd)
        raise Fail("path_traversal", dst, dst)
    if st is not None and stat.S_ISDIR(st.st_mode):
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        os.close(fd)
        rel = "/".join(names(dst) + [src_name])
        return inner, src_name, rel
    return fd, name, "/".join(names(dst))


def check_target(fd, name, rel, src_is_dir, src_rel):
    st = lstat(fd, name)
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode):
        raise Fail("path_traversal", rel, rel)
    if stat.S_ISDIR(st.st_mode) or src_is_dir:
        raise Fail("is_a_directory", rel, None, "cannot copy %s '%s' to '%s': the destination already exists"
                   % ("directory" if src_is_dir else "file", src_rel, rel))


def copy_file(sfd, sname, dfd, dname, rel):
    src = os.open(sname, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=sfd)
    tmp = ".alphora-tmp-%d" % os.getpid()
    try:
        mode = stat.S_IMODE(os.fstat(src).st_mode)
        dst = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode, dir_fd=dfd)
        try:
            while True:
                b = os.read(src, 1 << 20)
                if not b:
                    break
                os.write(dst, b)
        finally:
            os.close(dst)
        os.rename(tmp, dname, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        raise
    finally:
        os.close(src)


def copy_tree(sfd, sname, dfd, dname, src_rel):
    cfd = os.open(sname, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=sfd)
    try:
        os.mkdir(dname, 0o755, dir_fd=dfd)
        tfd = os.open(dname, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
        try:
            for child in sorted(os.listdir(cfd)):
                st = lstat(cfd, child)
                rel = src_rel + "/" + child
                if stat.S_ISLNK(st.st_mode):
                    raise Fail("path_traversal", rel, rel)
                if stat.S_ISDIR(st.st_mode):
                    copy_tree(cfd, child, tfd, child, rel)
                elif stat.S_ISREG(st.st_mode):
                    copy_file(cfd, child, tfd, child, rel)
                else:
                    raise Fail("not_regular", rel)
        finally:
            os.close(tfd)
    finally:
        os.close(cfd)


def transfer(src, dst, move):
    if not names(src):
        raise Fail("invalid_request", src, None, "the workspace root cannot be copied or moved")
    sfd, sname, st = parent_and_stat(src)
    try:
        if st is None:
            raise Fail("file_not_found", src)
        if stat.S_ISLNK(st.st_mode):
            raise Fail("path_traversal", src, src)
        src_dir = stat.S_ISDIR(st.st_mode)
        dfd, dname, rel = destination(sname, dst)
        try:
            if src_dir and (rel == src or rel.startswith(src + "/")):
                raise Fail("invalid_request", rel, None, "cannot put directory '%s' inside itself" % src)
            check_target(dfd, dname, rel, src_dir, src)
            if move:
                os.rename(sname, dname, src_dir_fd=sfd, dst_dir_fd=dfd)
            elif src_dir:
                tmp = ".alphora-tmp-%d" % os.getpid()
                try:
                    copy_tree(sfd, sname, dfd, tmp, src)
                    os.rename(tmp, dname, src_dir_fd=dfd, dst_dir_fd=dfd)
                except BaseException:
                    remove_tree(dfd, tmp)
                    raise
            else:
                copy_file(sfd, sname, dfd, dname, rel)
            return entry(rel, lstat(dfd, dname))
        finally:
            os.close(dfd)
    finally:
        os.close(sfd)


def op_usage():
    total = {"bytes": 0, "files": 0, "dirs": 0}
    for top, dirs, files in os.walk(ROOT, followlinks=False):
        links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
        total["dirs"] += len(dirs) - len(links)
        for f in files + links:
            total["files"] += 1
            try:
                st = os.lstat(os.path.join(top, f))
                if stat.S_ISREG(st.st_mode):
                    total["bytes"] += st.st_size
            except OSError:
                pass
    return total


OPS = {
    "stat": op_stat, "exists": op_exists, "readable": op_readable, "writable": op_writable, "list": op_list,
    "delete": op_delete, "delete_all": op_delete_all, "copy": lambda s, d: transfer(s, d, False), "move": lambda s, d: transfer(s, d, True),
    "usage": op_usage,
}


def main():
    try:
        result = {"ok": OPS[sys.argv[2]](*sys.argv[3:])}
    except Fail as f:
        result = f.out
    except OSError as e:
        code = "no_space" if e.errno in (errno.ENOSPC, errno.EDQUOT) else "io"
        result = {"error": code, "path": sys.argv[3] if len(sys.argv) > 3 else "", "message": str(e)}
    sys.stdout.write(json.dumps(result))


main()
