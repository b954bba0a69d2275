"""The Engine API 1.41 request types the gateway accepts, field by field (moby api/types, 20.10).

Only declarations live here; the rules that need more than "refused unless empty" are functions in
container_create.py, networks.py, volumes.py, exec.py and commit.py. A field missing here is a 400
"unknown field" — add it (with its type, and `deny=` if the sandbox must refuse it) rather than loosen
the decoder.
"""

from __future__ import annotations

from .schema import EMPTY, UINT64, Bool, Field, Int, ListOf, MapOf, Str, StrSlice, Struct

S, B, I = Str(), Bool(), Int()  # noqa: E741 - short names keep the tables readable
STRS = ListOf(S)
STRMAP = MapOf(S)

DEVICES = "devices are not allowed in the sandbox"
CPU = "CPU quotas, periods, sets and real-time slots are not available; CPU is bounded per sandbox"
BLKIO = "block I/O weights and limits are not available in the sandbox"
KMEM = "kernel memory limits are not available in the sandbox"
WINDOWS = "Windows-only resource options are not available"

HEALTHCHECK = Struct(
    "Healthcheck",
    {"Test": STRS, "Interval": I, "Timeout": I, "StartPeriod": I, "StartInterval": I, "Retries": I},
)

# container.Config: the create body's top level, and the body of /commit.
CONFIG_FIELDS: dict = {
    "Hostname": S,
    "Domainname": S,
    "User": S,
    "AttachStdin": B,
    "AttachStdout": B,
    "AttachStderr": B,
    "ExposedPorts": MapOf(EMPTY),
    "Tty": B,
    "OpenStdin": B,
    "StdinOnce": B,
    "Env": STRS,
    "Cmd": StrSlice(),
    "Healthcheck": HEALTHCHECK,
    "ArgsEscaped": B,
    "Image": S,
    "Volumes": MapOf(EMPTY),
    "WorkingDir": S,
    "Entrypoint": StrSlice(),
    "NetworkDisabled": B,
    "MacAddress": S,
    "OnBuild": STRS,
    "Labels": STRMAP,
    "StopSignal": S,
    "StopTimeout": I,
    "Shell": StrSlice(),
}
CONFIG = Struct("Config", CONFIG_FIELDS)

WEIGHT_DEVICE = Struct("WeightDevice", {"Path": S, "Weight": Int((0, 65535))})
THROTTLE_DEVICE = Struct("ThrottleDevice", {"Path": S, "Rate": Int(UINT64)})
DEVICE_MAPPING = Struct("DeviceMapping", {"PathOnHost": S, "PathInContainer": S, "CgroupPermissions": S})
DEVICE_REQUEST = Struct(
    "DeviceRequest",
    {"Driver": S, "Count": I, "DeviceIDs": STRS, "Capabilities": ListOf(STRS), "Options": STRMAP},
)
ULIMIT = Struct("Ulimit", {"Name": S, "Hard": I, "Soft": I})

MOUNT = Struct(
    "Mount",
    {
        "Type": S,
        "Source": S,
        "Target": S,
        "ReadOnly": B,
        "Consistency": S,
        "BindOptions": Field(
            Struct(
                "BindOptions",
                {
                    "Propagation": S,
                    "NonRecursive": B,
                    "CreateMountpoint": B,
                    "ReadOnlyNonRecursive": B,
                    "ReadOnlyForceRecursive": B,
                },
            ),
            deny="bind mount options are not allowed",
        ),
        "VolumeOptions": Struct(
            "VolumeOptions",
            {
                "NoCopy": B,
                "Subpath": Field(S, deny="volume subpaths are not available (API 1.45+)"),
                "Labels": STRMAP,
                "DriverConfig": Field(
                    Struct("Driver", {"Name": S, "Options": STRMAP}),
                    deny="volume driver options are not allowed",
                ),
            },
        ),
        "TmpfsOptions": Struct(
            "TmpfsOptions",
            {
                "SizeBytes": I,
                "Mode": Int((0, 0o7777)),
                "Options": Field(ListOf(STRS), deny="tmpfs mount options are not available (API 1.46+)"),
            },
        ),
        "ImageOptions": Field(Struct("ImageOptions", {"Subpath": S}), deny="image mounts are not available"),
    },
)

# container.HostConfig including the embedded container.Resources.
HOST_CONFIG = Struct(
    "HostConfig",
    {
        "Binds": STRS,
        "ContainerIDFile": Field(S, drop=True),
        "LogConfig": Struct("LogConfig", {"Type": S, "Config": STRMAP}),
        "NetworkMode": S,
        "PortBindings": MapOf(ListOf(Struct("PortBinding", {"HostIp": S, "HostPort": S}))),
        "RestartPolicy": Struct("RestartPolicy", {"Name": S, "MaximumRetryCount": I}),
        "AutoRemove": B,
        "VolumeDriver": S,
        "VolumesFrom": STRS,
        "ConsoleSize": ListOf(Int(UINT64), length=2),
        "Annotations": Field(STRMAP, deny="container annotations are not available (API 1.43+)"),
        "CapAdd": StrSlice(),
        "CapDrop": StrSlice(),
        "Capabilities": Field(StrSlice(), deny="replacing the capability set is not allowed; use --cap-add"),
        "CgroupnsMode": S,
        "Dns": STRS,
        "DnsOptions": STRS,
        "DnsSearch": STRS,
        "ExtraHosts": STRS,
        "GroupAdd": STRS,
        "IpcMode": S,
        "Cgroup": S,
        "Links": STRS,
        "OomScoreAdj": Int((-1000, 1000)),
        "PidMode": S,
        "Privileged": B,
        "PublishAllPorts": B,
        "ReadonlyRootfs": B,
        "SecurityOpt": STRS,
        "StorageOpt": STRMAP,
        "Tmpfs": STRMAP,
        "UTSMode": S,
        "UsernsMode": S,
        "ShmSize": Int((0, 2**63 - 1)),
        "Sysctls": STRMAP,
        "Runtime": S,
        "Isolation": Field(S, deny="--isolation is not allowed"),
        "InitPath": Field(S, deny="--init-path is not allowed"),
        "LxcConf": Field(ListOf(STRMAP), deny="LXC options are not available"),
        # container.Resources
        "CpuShares": I,
        "Memory": I,
        "NanoCpus": I,
        "CgroupParent": S,
        "BlkioWeight": Field(Int((0, 1000)), deny=BLKIO),
        "BlkioWeightDevice": Field(ListOf(WEIGHT_DEVICE), deny=BLKIO),
        "BlkioDeviceReadBps": Field(ListOf(THROTTLE_DEVICE), deny=BLKIO),
        "BlkioDeviceWriteBps": Field(ListOf(THROTTLE_DEVICE), deny=BLKIO),
        "BlkioDeviceReadIOps": Field(ListOf(THROTTLE_DEVICE), deny=BLKIO),
        "BlkioDeviceWriteIOps": Field(ListOf(THROTTLE_DEVICE), deny=BLKIO),
        "CpuPeriod": Field(I, deny=CPU),
        "CpuQuota": Field(I, deny=CPU),
        "CpuRealtimePeriod": Field(I, deny=CPU),
        "CpuRealtimeRuntime": Field(I, deny=CPU),
        "CpusetCpus": Field(S, deny=CPU),
        "CpusetMems": Field(S, deny=CPU),
        "Devices": ListOf(DEVICE_MAPPING),
        "DeviceCgroupRules": STRS,
        "DeviceRequests": ListOf(DEVICE_REQUEST),
        "KernelMemory": Field(I, deny=KMEM),
        "KernelMemoryTCP": Field(I, deny=KMEM),
        "MemoryReservation": I,
        "MemorySwap": I,
        "MemorySwappiness": Int((-1, 100)),
        "OomKillDisable": B,
        "PidsLimit": I,
        "Ulimits": ListOf(ULIMIT),
        "CpuCount": Field(I, deny=WINDOWS),
        "CpuPercent": Field(I, deny=WINDOWS),
        "IOMaximumIOps": Field(Int(UINT64), deny=WINDOWS),
        "IOMaximumBandwidth": Field(Int(UINT64), deny=WINDOWS),
        # after Resources
        "Mounts": ListOf(MOUNT),
        "MaskedPaths": STRS,
        "ReadonlyPaths": STRS,
        "Init": B,
    },
)

ENDPOINT_SETTINGS = Struct(
    "EndpointSettings",
    {
        "IPAMConfig": Struct(
            "EndpointIPAMConfig", {"IPv4Address": S, "IPv6Address": S, "LinkLocalIPs": STRS}
        ),
        "Links": STRS,
        "Aliases": STRS,
        "NetworkID": Field(S, drop=True),
        "EndpointID": Field(S, drop=True),
        "Gateway": Field(S, drop=True),
        "IPAddress": Field(S, drop=True),
        "IPPrefixLen": Field(I, drop=True),
        "IPv6Gateway": Field(S, drop=True),
        "GlobalIPv6Address": Field(S, drop=True),
        "GlobalIPv6PrefixLen": Field(I, drop=True),
        "MacAddress": S,
        "DriverOpts": Field(STRMAP, deny="network driver options are not allowed"),
        # newer than 1.41: sent (empty) by newer CLIs, ignored by this engine
        "GwPriority": Field(I, deny="gateway priorities are not available (API 1.48+)"),
        "DNSNames": Field(STRS, drop=True),
    },
)
# docker-py 7 sends `{"NetworkingConfig": {"<network>": null}}` for `network=`; the engine ignores such
# keys, so they are checked as endpoint settings and dropped.
NETWORKING_CONFIG = Struct(
    "NetworkingConfig", {"EndpointsConfig": MapOf(ENDPOINT_SETTINGS)}, extra=ENDPOINT_SETTINGS
)

# POST /containers/create: Config with HostConfig and NetworkingConfig beside it.
CONTAINER_CREATE = Struct(
    "ContainerCreate",
    {
        **CONFIG_FIELDS,
        "HostConfig": HOST_CONFIG,
        "NetworkingConfig": NETWORKING_CONFIG,
        "Runtime": Field(S, drop=True),  # sent by docker-py at the top level; the engine ignores it
    },
)
